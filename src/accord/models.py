"""Imports every model module so that ``Base.metadata`` is complete (Alembic and test setup use this)."""

from __future__ import annotations

from accord.audit import models as audit_models
from accord.authorities import models as authorities_models
from accord.banks import models as banks_models
from accord.cases import models as cases_models
from accord.db import Base
from accord.evidence import models as evidence_models
from accord.identity import models as identity_models
from accord.identity import session_models
from accord.jobs import models as jobs_models
from accord.narratives import models as narratives_models
from accord.notices import models as notices_models
from accord.policies import models as policies_models
from accord.rights import models as rights_models
from accord.transparency import models as transparency_models
from accord.web import idempotency

MODEL_MODULES = (
    audit_models, authorities_models, banks_models, cases_models, identity_models, jobs_models, narratives_models,
    notices_models, policies_models, rights_models, transparency_models, idempotency, session_models,
    evidence_models,
)

metadata = Base.metadata
