"""XML files: one repeated element per row under a root, values addressed by path.

A column is a path below the row element: `Number` (a child's text), `@id` (an attribute of the
row), `Vendor/Name`, `Amount/@currency`. Prefixes (`gx:Total`) stand for the namespaces declared in
the mapping (`namespace gx "urn:..."`, or `namespace "urn:..."` for the default one).

Partner XML is parsed with defusedxml and any DTD is refused: entity expansion (the "billion
laughs") and external entities cannot be smuggled in. Writing builds each row's markup with polars
string expressions, escaping every value, so there is no Python per row going out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

import polars as pl
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from connector.formats import FileFormatError, Format, FormatOptionError
from connector.formats.text import canonical_encoding, encode

_NAME = r"^[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?$"
_TEXT_ESCAPES = (["&", "<", ">"], ["&amp;", "&lt;", "&gt;"])
_ATTRIBUTE_ESCAPES = (
    ["&", "<", ">", '"', "\n", "\r", "\t"],
    ["&amp;", "&lt;", "&gt;", "&quot;", "&#10;", "&#13;", "&#9;"],
)


@dataclass(frozen=True)
class XmlOptions:
    root: str = "Records"
    element: str = "Record"
    namespaces: dict[str, str] = field(default_factory=dict)  # prefix ("" default) -> URI
    encoding: str = "utf-8"


class XmlFormat(Format):
    name = "xml"
    settings = frozenset({"root", "element", "namespace", "encoding"})
    optional_columns = True

    def options(self, settings: Mapping[str, str]) -> XmlOptions:
        namespaces = {}
        for name, value in settings.items():
            if name.split()[0] == "namespace":
                prefix = name.partition(" ")[2]
                namespaces[prefix] = value
        values: dict = {"namespaces": namespaces}
        for name in ("root", "element"):
            if name in settings:
                if not _valid_name(settings[name]):
                    raise FormatOptionError(name, f"{name} {settings[name]!r} is not an XML name")
                values[name] = settings[name]
        if "encoding" in settings:
            values["encoding"] = canonical_encoding(settings["encoding"])
        options = XmlOptions(**values)
        for name in (options.root, options.element):
            prefix = name.partition(":")[0] if ":" in name else None
            if prefix is not None and prefix not in namespaces:
                raise FormatOptionError(
                    "namespace",
                    f"prefix {prefix!r} in {name!r} is not declared",
                    hint=f'add `namespace {prefix} "URI"` to the section',
                )
        return options

    def read(self, data: bytes, options: XmlOptions) -> pl.DataFrame:
        root = _parse(data)
        names = _Names(options.namespaces)
        if names.local(root.tag) != options.root:
            raise FileFormatError(
                f"the root element is {names.local(root.tag)!r}, expected {options.root!r}",
                hint="check the root setting and the namespace declarations",
            )
        rows = []
        for element in root:
            if names.local(element.tag) != options.element:
                continue
            values: dict[str, str] = {}
            _flatten(element, "", names, values)
            rows.append(values)
        columns = list(dict.fromkeys(name for row in rows for name in row))
        return pl.DataFrame(
            {name: [row.get(name) for row in rows] for name in columns},
            schema=dict.fromkeys(columns, pl.String),
        )

    def write(self, frame: pl.DataFrame, options: XmlOptions) -> bytes:
        for column in frame.columns:
            if not all(_valid_name(part.removeprefix("@")) for part in column.split("/")):
                raise FileFormatError(
                    f"column {column!r} is not an XML path such as Name, @id or Vendor/Name",
                    hint="name outbound XML columns by element path",
                )
        tree = _tree(frame.columns)
        markup = frame.select(_element(options.element, tree, indent="  ").alias("row")).to_series()
        declarations = "".join(
            f' xmlns{":" + prefix if prefix else ""}="{_escape_attribute_text(uri)}"'
            for prefix, uri in options.namespaces.items()
        )
        body = "".join(f"{row}\n" for row in markup.to_list())
        text = (
            f'<?xml version="1.0" encoding="{options.encoding.upper()}"?>\n'
            f"<{options.root}{declarations}>\n{body}</{options.root}>\n"
        )
        return encode(text, options.encoding)


def _valid_name(name: str) -> bool:
    return re.fullmatch(_NAME, name) is not None


def _escape_attribute_text(text: str) -> str:
    for old, new in zip(*_ATTRIBUTE_ESCAPES, strict=True):
        text = text.replace(old, new)
    return text


def _parse(data: bytes) -> Element:
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise FileFormatError(
            f"the file declares a DTD or entities, which are refused for safety ({error})",
            hint="ask the partner for plain XML without a <!DOCTYPE> declaration",
        ) from error
    except ParseError as error:
        line = error.position[0] if error.position else None
        raise FileFormatError(f"not well-formed XML: {error}", line=line) from error


class _Names:
    """Clark names ({uri}local) back to the prefixes the mapping uses."""

    def __init__(self, namespaces: dict[str, str]) -> None:
        self._prefixes = {uri: prefix for prefix, uri in namespaces.items()}

    def local(self, tag: str) -> str:
        if not tag.startswith("{"):
            return tag
        uri, _, name = tag[1:].partition("}")
        prefix = self._prefixes.get(uri)
        if prefix is None:
            return name
        return f"{prefix}:{name}" if prefix else name


def _flatten(element: Element, path: str, names: _Names, values: dict[str, str]) -> None:
    """Attributes and leaf texts of the element by path; the first of repeated children wins."""
    for attribute, value in element.attrib.items():
        values.setdefault(f"{path}@{names.local(attribute)}", value)
    children = list(element)
    text = element.text
    indentation = text is not None and "\n" in text and not text.strip()
    if not children and text is not None and path and not indentation:
        values.setdefault(path.rstrip("/"), text)
    for child in children:
        _flatten(child, f"{path}{names.local(child.tag)}/", names, values)


@dataclass
class _Node:
    text: str | None = None  # the column holding this element's text
    attributes: dict[str, str] = field(default_factory=dict)  # attribute -> column
    children: dict[str, _Node] = field(default_factory=dict)


def _tree(columns: list[str]) -> _Node:
    root = _Node()
    for column in columns:
        *elements, last = column.split("/")
        node = root
        for name in elements:
            node = node.children.setdefault(name, _Node())
        if last.startswith("@"):
            node.attributes[last[1:]] = column
        else:
            node.children.setdefault(last, _Node()).text = column
    return root


def _element(tag: str, node: _Node, indent: str) -> pl.Expr:
    """The element's markup; a leaf with no value and no attribute is left out."""
    attributes = [
        pl.when(pl.col(column).is_null())
        .then(pl.lit(""))
        .otherwise(
            pl.concat_str(
                [
                    pl.lit(f' {name}="'),
                    pl.col(column).str.replace_many(*_ATTRIBUTE_ESCAPES),
                    pl.lit('"'),
                ]
            )
        )
        for name, column in node.attributes.items()
    ]
    open_tag = pl.concat_str([pl.lit(f"{indent}<{tag}"), *attributes, pl.lit(">")])
    if node.children:
        inner = [_element(name, child, indent + "  ") for name, child in node.children.items()]
        return pl.concat_str([open_tag, pl.lit("\n"), *inner, pl.lit(f"{indent}</{tag}>")]) + (
            pl.lit("\n") if indent != "  " else pl.lit("")
        )
    text = (
        pl.col(node.text).str.replace_many(*_TEXT_ESCAPES).fill_null("")
        if node.text
        else pl.lit("")
    )
    markup = pl.concat_str([open_tag, text, pl.lit(f"</{tag}>\n")])
    present = [pl.col(node.text).is_not_null()] if node.text else []
    present += [pl.col(column).is_not_null() for column in node.attributes.values()]
    if not present:
        return markup
    return pl.when(pl.any_horizontal(present)).then(markup).otherwise(pl.lit(""))
