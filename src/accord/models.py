"""Imports every model module so that ``Base.metadata`` is complete (Alembic and test setup use this)."""

from __future__ import annotations

from accord.audit import models as audit_models
from accord.cases import models as cases_models
from accord.db import Base
from accord.identity import models as identity_models
from accord.jobs import models as jobs_models
from accord.web import idempotency

MODEL_MODULES = (audit_models, cases_models, identity_models, jobs_models, idempotency)

metadata = Base.metadata
