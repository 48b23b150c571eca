"""Field schemas of online forms: a short text the document controller edits, parsed to a structure,
and the validation of what a user typed against it.

The text, one field per line, sections introduced by "#", table columns indented under their table:

    # Identitas
    shift | Shift | choice: Pagi, Siang, Malam | required
    pic | PIC Desk Control | staff | required
    # Pelanggaran
    violations | Daftar pelanggaran | table | required
      agent | Nama agent | staff | required
      action | Tindakan | longtext
    tl_sign | Dibuat oleh (Team Leader) | signature: submitter

Types: text, longtext, number, date, time, choice, yesno, staff, table, signature (Indonesian aliases accepted), and
service / site: the record's own service or site, filled in from the record's header and locked (never asked twice).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

TYPES = {
    "text": _l("Short text"),
    "longtext": _l("Long text"),
    "number": _l("Number"),
    "date": _l("Date"),
    "time": _l("Time"),
    "choice": _l("Choice"),
    "yesno": _l("Yes / no"),
    "staff": _l("Staff member"),
    "table": _l("Table of rows"),
    "signature": _l("Signature"),
    "service": _l("Service of the record (filled in, locked)"),
    "site": _l("Site of the record (filled in, locked)"),
}
HEADER_TYPES = ("service", "site")  # fields that repeat the record's header: filled in from it, never typed
ALIASES = {"teks": "text", "teks-panjang": "longtext", "angka": "number", "tanggal": "date", "jam": "time",
           "waktu": "time", "pilihan": "choice", "ya/tidak": "yesno", "ya-tidak": "yesno", "staf": "staff",
           "petugas": "staff", "tabel": "table", "tanda-tangan": "signature", "ttd": "signature", "layanan": "service",
           "lokasi": "site"}
SIGNER_OF = {"submitter": "submitter", "approver": "approver", "pembuat": "submitter", "penyetuju": "approver"}
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
DUE = {"daily": "daily", "harian": "daily", "weekly": "weekly", "mingguan": "weekly", "monthly": "monthly", "bulanan": "monthly"}
MAX_ROWS = 200
MAX_TEXT = 4000


@dataclass
class SchemaError:
    line: int
    message: str

    def __str__(self) -> str:
        return _("Line %(n)d: %(msg)s", n=self.line, msg=self.message)


def parse_schema(text: str) -> tuple[dict, list[SchemaError]]:
    """The schema written in `text`, and what is wrong with it (an empty list when it is usable)."""
    sections: list[dict] = []
    directives: dict = {}
    errors: list[SchemaError] = []
    keys: set[str] = set()
    current_table: dict | None = None
    for n, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip() or raw.strip().startswith("//"):
            continue
        indented = raw[:1] in (" ", "\t")
        line = raw.strip()
        if line.startswith("@"):
            problem = _directive(line, directives)
            if problem:
                errors.append(SchemaError(n, problem))
            continue
        if line.startswith("#"):
            title = line.lstrip("#").strip()
            if not title:
                errors.append(SchemaError(n, _("a section needs a title after #")))
            sections.append({"title": title, "fields": []})
            current_table = None
            continue
        spec, problem = _parse_field(line)
        if problem:
            errors.append(SchemaError(n, problem))
            continue
        if indented and current_table is not None:
            if spec["type"] in ("table", "signature", *HEADER_TYPES):
                errors.append(SchemaError(n, _("a table column cannot be of type %(t)s", t=spec["type"])))
                continue
            if spec["key"] in {c["key"] for c in current_table["columns"]}:
                errors.append(SchemaError(n, _("the column %(k)s appears twice", k=spec["key"])))
                continue
            current_table["columns"].append(spec)
            continue
        if indented:
            errors.append(SchemaError(n, _("an indented line must follow a table field")))
            continue
        if spec["key"] in keys:
            errors.append(SchemaError(n, _("the field %(k)s appears twice", k=spec["key"])))
            continue
        keys.add(spec["key"])
        if not sections:
            sections.append({"title": "", "fields": []})
        sections[-1]["fields"].append(spec)
        current_table = spec if spec["type"] == "table" else None
    for section in sections:
        for f in section["fields"]:
            if f["type"] == "table" and not f["columns"]:
                errors.append(SchemaError(0, _("the table %(k)s has no columns (indent them under it)", k=f["key"])))
    if not any(s["fields"] for s in sections) and not errors:
        errors.append(SchemaError(0, _("the form has no field")))
    return {**directives, "sections": sections}, errors


def _directive(line: str, directives: dict) -> str | None:
    """@due: daily|weekly|monthly (when a record is expected) and @by: role codes (who is expected to fill it)."""
    from portal.core.permissions import ROLES

    name, _sep, value = line[1:].partition(":")
    name, value = name.strip().lower(), value.strip()
    if name == "due":
        if value.lower() not in DUE:
            return _("@due is daily, weekly or monthly")
        directives["due"] = DUE[value.lower()]
    elif name == "by":
        roles = [r.strip() for r in value.split(",") if r.strip()]
        unknown = [r for r in roles if r not in ROLES]
        if not roles or unknown:
            return _("@by lists role codes (%(all)s)", all=", ".join(ROLES))
        directives["by"] = roles
    else:
        return _("unknown directive @%(d)s (use @due or @by)", d=name)
    return None


def _parse_field(line: str) -> tuple[dict, str | None]:
    parts = [p.strip() for p in line.split("|")]
    if len(parts) < 3:
        return {}, _("write: key | label | type [| required]")
    key, label, type_part = parts[0], parts[1], parts[2]
    flags = {p.lower() for p in parts[3:] if p}
    if not KEY_RE.match(key):
        return {}, _("the key %(k)s must be lower-case letters, digits and _ (starting with a letter)", k=key)
    if not label:
        return {}, _("the field %(k)s needs a label", k=key)
    type_name, _sep, arg = type_part.partition(":")
    type_name = type_name.strip().lower()
    type_name = ALIASES.get(type_name, type_name)
    if type_name not in TYPES:
        return {}, _("unknown type %(t)s (use one of: %(all)s)", t=type_name, all=", ".join(TYPES))
    unknown = flags - {"required", "wajib", "optional", "opsional"}
    if unknown:
        return {}, _("unknown option %(o)s", o=", ".join(sorted(unknown)))
    spec: dict = {"key": key, "label": label, "type": type_name, "required": bool(flags & {"required", "wajib"})}
    arg = arg.strip()
    if type_name == "choice":
        options = [o.strip() for o in arg.split(",") if o.strip()]
        if len(options) < 2:
            return {}, _("the choice %(k)s needs at least two options after ':'", k=key)
        if len(set(options)) != len(options):
            return {}, _("the choice %(k)s lists an option twice", k=key)
        spec["options"] = options
    elif type_name == "signature":
        signer = SIGNER_OF.get(arg.lower())
        if signer is None:
            return {}, _("a signature names its signer: signature: submitter or signature: approver")
        spec["signer"] = signer
        spec["required"] = False
    elif type_name == "number" and arg:
        m = re.fullmatch(r"(-?\d+(?:\.\d+)?)?\s*\.\.\s*(-?\d+(?:\.\d+)?)?", arg)
        if not m:
            return {}, _("a number range is written min..max, for example 0..100")
        spec["min"], spec["max"] = m.group(1), m.group(2)
    elif type_name == "table":
        spec["columns"] = []
    elif arg:
        return {}, _("the type %(t)s takes nothing after ':'", t=type_name)
    return spec, None


def schema_text(schema: dict) -> str:
    """The editable text of a schema (parse_schema(schema_text(s)) == s)."""
    lines: list[str] = []
    if schema.get("due"):
        lines.append(f"@due: {schema['due']}")
    if schema.get("by"):
        lines.append(f"@by: {', '.join(schema['by'])}")
    for section in schema.get("sections", []):
        if section.get("title"):
            lines.append(f"# {section['title']}")
        for f in section["fields"]:
            lines.append(_field_line(f))
            for c in f.get("columns", []):
                lines.append("  " + _field_line(c))
    return "\n".join(lines) + "\n"


def _field_line(f: dict) -> str:
    type_part = f["type"]
    if f["type"] == "choice":
        type_part += ": " + ", ".join(f["options"])
    elif f["type"] == "signature":
        type_part += ": " + f["signer"]
    elif f["type"] == "number" and (f.get("min") or f.get("max")):
        type_part += f": {f.get('min') or ''}..{f.get('max') or ''}"
    out = f"{f['key']} | {f['label']} | {type_part}"
    return out + (" | required" if f.get("required") else "")


def fields(schema: dict) -> list[dict]:
    return [f for s in schema.get("sections", []) for f in s["fields"]]


# ---------------------------------------------------------------- what the user typed
def data_from_form(schema: dict, form) -> dict:
    """Read the posted form into record data (strings, tables as lists of row dicts), dropping empty rows."""
    data: dict = {}
    for f in fields(schema):
        name = f"f-{f['key']}"
        if f["type"] in ("signature", *HEADER_TYPES):
            continue  # signed, or filled in from the record's header (fill_header)
        if f["type"] == "table":
            rows = []
            count = min(int(form.get(f"{name}-rows", "0") or 0) if str(form.get(f"{name}-rows", "0")).isdigit() else 0, MAX_ROWS)
            for i in range(count):
                row = {c["key"]: (form.get(f"{name}-{i}-{c['key']}") or "").strip()[:MAX_TEXT] for c in f["columns"]}
                if any(row.values()):
                    rows.append(row)
            data[f["key"]] = rows
        else:
            data[f["key"]] = (form.get(name) or "").strip()[:MAX_TEXT]
    return data


# Forms written before the service/site types ask the header again as a choice labelled like this ("Layanan" on
# F-04 and the first F-06): such a choice is filled in and locked too when the header's value is one of its options.
HEADER_LABELS = {"service": ("layanan", "service", "layanan / line", "line"), "site": ("lokasi", "site")}
Pair = tuple[str, str] | None  # (code, name) of the record's service or site


def header_kind(f: dict) -> str | None:
    """"service" or "site" when the field repeats that part of the record's header, else None."""
    if f["type"] in HEADER_TYPES:
        return f["type"]
    if f["type"] == "choice":
        label = " ".join(f["label"].split()).lower()
        return next((kind for kind, labels in HEADER_LABELS.items() if label in labels), None)
    return None


def header_fields(schema: dict) -> list[dict]:
    """The fields that repeat the record's header (service, site)."""
    return [f for f in fields(schema) if header_kind(f)]


def _header_value(f: dict, pair: Pair) -> str | None:
    """What a header field holds for this header (None: the field is left to the user)."""
    if f["type"] in HEADER_TYPES:
        return pair[1] if pair else ""
    if pair is None:
        return None
    return next((o for o in f["options"] if o.lower() in (pair[0].lower(), pair[1].lower())), None)


def fill_header(schema: dict, data: dict, service: Pair, site: Pair) -> dict:
    """The data with every header field set from the record's header, whatever was posted."""
    out = dict(data)
    for f in header_fields(schema):
        value = _header_value(f, service if header_kind(f) == "service" else site)
        if value is not None:
            out[f["key"]] = value
    return out


def locked_keys(schema: dict, service: Pair, site: Pair) -> set[str]:
    """The keys of the fields shown locked for this header."""
    return {f["key"] for f in header_fields(schema)
            if _header_value(f, service if header_kind(f) == "service" else site) is not None}


def validate(schema: dict, data: dict, staff_ids: set[int] | None = None) -> dict[str, str]:
    """Errors by field name ("shift", "violations-0-agent"), empty when the data may be submitted."""
    errors: dict[str, str] = {}
    for f in fields(schema):
        if f["type"] == "signature":
            continue
        value = data.get(f["key"])
        if f["type"] == "table":
            rows = value if isinstance(value, list) else []
            if f.get("required") and not rows:
                errors[f["key"]] = _("Add at least one row.")
            for i, row in enumerate(rows):
                for c in f["columns"]:
                    problem = _check(c, (row or {}).get(c["key"], ""), staff_ids)
                    if problem:
                        errors[f"{f['key']}-{i}-{c['key']}"] = problem
            continue
        problem = _check(f, value if isinstance(value, str) else "", staff_ids)
        if problem:
            errors[f["key"]] = problem
    return errors


def _check(f: dict, value: str, staff_ids: set[int] | None) -> str | None:
    value = (value or "").strip()
    if not value:
        if f.get("required") and f["type"] == "service":
            return _("This record names no service; it is taken from the record's header.")
        return _("This field is required.") if f.get("required") else None
    kind = f["type"]
    if kind == "number":
        try:
            number = Decimal(value.replace(",", "."))
        except InvalidOperation:
            return _("Enter a number, for example 12 or 12,5.")
        if not number.is_finite():
            return _("Enter a number, for example 12 or 12,5.")
        if f.get("min") is not None and f.get("min") != "" and number < Decimal(f["min"]):
            return _("The smallest value allowed is %(v)s.", v=f["min"])
        if f.get("max") is not None and f.get("max") != "" and number > Decimal(f["max"]):
            return _("The largest value allowed is %(v)s.", v=f["max"])
    elif kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return _("Enter a date (day, month, year).")
    elif kind == "time":
        try:
            time.fromisoformat(value)
        except ValueError:
            return _("Enter a time, for example 08:30.")
    elif kind == "choice":
        if value not in f["options"]:
            return _("Choose one of the options.")
    elif kind == "yesno":
        if value not in ("yes", "no"):
            return _("Choose yes or no.")
    elif kind == "staff":
        if not value.isdigit() or (staff_ids is not None and int(value) not in staff_ids):
            return _("Choose a staff member from the list.")
    elif kind == "text" and len(value) > 300:
        return _("At most 300 characters.")
    return None
