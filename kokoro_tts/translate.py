"""Messages said in the reader's language (Flask-Babel's catalogue for the request's locale).

What is below HTTP writes its messages in English: a plain string is looked up whole; a
`Message` (engine/errors.py) by the template it was made from, its values then written as the
locale writes numbers. The field messages webargs and marshmallow write are recognised by their
templates. Error codes never change; only the words do.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from flask_babel import format_decimal, get_locale, get_translations

from .engine.errors import Message


def N_(text: str) -> str:
    """gettext's name for "marked for translation, said later" (where the language is known)."""
    return text


#: marshmallow's and webargs' field messages (and ours), as they write them: a field's messages
#: are said in the reader's language by matching these.
FIELD_MESSAGES = (
    N_("Missing data for required field."), N_("Field may not be null."), N_("Unknown field."),
    N_("Invalid input type."), N_("Invalid value."), N_("Invalid type."), N_("Invalid input."),
    N_("Not a valid string."), N_("Not a valid number."), N_("Not a valid integer."), N_("Not a valid boolean."),
    N_("Not a valid email address."), N_("Not a valid mapping type."), N_("Not a valid list."),
    N_("Number too large."), N_("Special numeric values (nan or infinity) are not permitted."),
    N_("String does not match expected pattern."), N_("Shorter than minimum length {min}."),
    N_("Longer than maximum length {max}."), N_("Length must be between {min} and {max}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("Must be greater than or equal to {min}."), N_("Must be less than or equal to {max}."),
    N_("Must be one of: {choices}."),
)
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def _local(value: Any) -> Any:
    """A number as the locale writes it (5 000, 0,25 in French); anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return format_decimal(value)


def say(message: str) -> str:
    """`message` in the request's language (itself when the catalogue has no translation)."""
    translations = get_translations()
    if isinstance(message, Message):
        # A value that is a message itself ("lexeme 3" in "{where}: ...") is said too.
        values = {name: say(value) if isinstance(value, Message) else _local(value)
                  for name, value in message.values.items()}
        return translations.gettext(message.template).format(**values)
    return str(translations.gettext(message))


@cache
def _field_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each template as a pattern that finds its values in a message written from it."""
    patterns = []
    for template in FIELD_MESSAGES:
        pattern = re.escape(template)
        for name in re.findall(r"\{(\w+)\}", template):
            pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>.+?)", 1)
        patterns.append((re.compile(f"^{pattern}$"), template))
    return tuple(patterns)


def _say_field_message(message: str) -> str:
    if get_locale().language == "en":
        return str(message)  # as marshmallow wrote it
    for pattern, template in _field_patterns():
        found = pattern.match(message)
        if found:
            values = {k: _local(float(v)) if _NUMBER.match(v) else v for k, v in found.groupdict().items()}
            return str(get_translations().gettext(template)).format(**values)
    return say(message)


def say_fields(fields: Any) -> Any:
    """webargs' messages per field (lists, or dicts of them for nested fields), said."""
    if isinstance(fields, dict):
        return {key: say_fields(value) for key, value in fields.items()}
    if isinstance(fields, list):
        return [say_fields(value) for value in fields]
    return _say_field_message(fields) if isinstance(fields, str) else fields


def say_details(details: Any) -> Any:
    """An error's details with their messages said (a `message` field, any `Message`: a refused
    lexeme's, say); the rest (names, numbers, the words of a text) as it is."""
    if isinstance(details, dict):
        return {key: say(value) if key == "message" and isinstance(value, str) else say_details(value)
                for key, value in details.items()}
    if isinstance(details, list):
        return [say_details(value) for value in details]
    return say(details) if isinstance(details, Message) else details
