"""Imports every model module so that ``Base.metadata`` is complete (Alembic and test setup use this)."""

from __future__ import annotations

from accord.audit import models as audit_models
from accord.banks import models as banks_models  # noqa: F401 - registers the bank, entry and match tables
from accord.cases import models as cases_models
from accord.db import Base
from accord.identity import models as identity_models
from accord.jobs import models as jobs_models
from accord.narratives import models as narratives_models  # noqa: F401 - registers the campaign tables
from accord.notices import models as notices_models  # noqa: F401 - registers the notice tables
from accord.policies import models as policies_models  # noqa: F401 - registers the policy and incident tables
from accord.rights import models as rights_models  # noqa: F401 - registers the rights tables
from accord.web import idempotency

MODEL_MODULES = (audit_models, cases_models, identity_models, jobs_models, idempotency)

metadata = Base.metadata
