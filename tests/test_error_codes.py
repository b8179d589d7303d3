"""One table gives every error code its status: every code the package raises is in it, and the
services never choose a status themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kokoro_tts
from kokoro_tts.engine import EngineError
from kokoro_tts.errors import STATUSES, status_of
from kokoro_tts.services.errors import CredentialsRefused, ServiceError

pytestmark = pytest.mark.unit

PACKAGE = Path(kokoro_tts.__file__).parent
#: Calls whose first string argument is an error code (`owned` takes it as its fourth).
RAISERS = {"ServiceError": 0, "CredentialsRefused": 0, "DocumentError": 0, "_refused": 0, "owned": 3}


def _codes_raised() -> dict[str, str]:
    """Every error code written in the package, and where."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                index = RAISERS.get(name or "")
                if index is not None and len(node.args) > index and isinstance(node.args[index], ast.Constant):
                    found[node.args[index].value] = f"{path.relative_to(PACKAGE)}:{node.lineno}"
    return found


def _engine_codes() -> set[str]:
    classes, codes = [EngineError], set()
    while classes:
        cls = classes.pop()
        codes.add(cls.code)
        classes += cls.__subclasses__()
    return codes


def test_every_code_raised_has_its_status_in_the_table():
    raised = _codes_raised()
    assert len(raised) > 30  # the scan found the package's codes
    missing = {code: where for code, where in raised.items() if code not in STATUSES}
    assert not missing
    assert not _engine_codes() - STATUSES.keys()


def test_statuses_come_from_the_table():
    assert status_of(ServiceError("insufficient_credits", "short")) == 402
    assert status_of(ServiceError("job_not_found", "gone")) == 404
    assert status_of("busy") == 503 and status_of("too_many_concurrent") == 429
    # A refused credential is a 401 whatever the account's state says elsewhere (login: 403).
    assert status_of(ServiceError("account_inactive", "off")) == 403
    assert status_of(CredentialsRefused("account_inactive", "off")) == 401


def test_services_name_no_status():
    """No HTTP status literal is passed when the services raise (codes only)."""
    for path in (PACKAGE / "services").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in RAISERS:
                assert not any(isinstance(a, ast.Constant) and isinstance(a.value, int) for a in node.args), (
                    f"{path}:{node.lineno}"
                )
