"""The operators' API (/api/admin): accounts, their credits and state, usage, the audit log (routes
over `services.operators`, `services.usage` and `services.audit`). Every route is guarded by
`security.admin_required`: anyone but an operator gets 403 `forbidden`."""

from ..rest import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/api/admin", description="Running the service: operators only")

from . import routes  # noqa: E402,F401  (they attach themselves to bp)
