"""Telegram's HTML parse mode and text rules, usable without any server.

The parser follows the behaviour of Telegram's own parser (TDLib's ``parse_html``): the same
tag set, the same attribute handling and the same error descriptions with UTF-8 byte offsets,
so a test that passes here is sent as-is by Telegram.  One deliberate difference, on by
default: a bare ``&`` (or ``&name;`` that Telegram does not know) is rejected instead of being
kept literally, because it always means the text was not escaped with ``html.escape``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED_REFERENCES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# TDLib treats NUL as whitespace; the end of the text reads as NUL, which is what makes an
# unterminated tag fail with "Unclosed start tag".
_SPACES = frozenset(" \t\r\n\v\f\0")
_SPECIAL = re.compile(r"[<&]")
_ASTRAL = re.compile(r"[\U00010000-\U0010FFFF]")
_URL_SCHEMES = ("http://", "https://", "tg://", "ton://")


class TelegramBadRequest(ValueError):
    """What Telegram answers with a 400; ``description`` is its exact text."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def _cant_parse(detail: str) -> TelegramBadRequest:
    return TelegramBadRequest(f"Bad Request: can't parse entities: {detail}")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    if text.isascii():
        return len(text)
    return len(text) + len(_ASTRAL.findall(text))


@dataclass(frozen=True, slots=True)
class ParsedText:
    """Text as Telegram stores it: plain text plus entities (offsets in UTF-16 units)."""

    text: str
    entities: list[dict[str, Any]]

    @property
    def length(self) -> int:
        """Characters as Telegram counts them for its 4096/1024 limits (code points)."""
        return len(self.text)


class _Cursor:
    """Reads the source text; past the end it yields NUL, like the C string TDLib scans."""

    __slots__ = ("n", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)

    def at(self, i: int) -> str:
        return self.text[i] if i < self.n else "\0"

    def byte_offset(self, i: int) -> int:
        return len(self.text[:i].encode("utf-8", "surrogatepass"))


def _decode_reference(cur: _Cursor, pos: int) -> tuple[str, int, bool] | None:
    """Decode ``&...`` at pos: (character, end index, had ';'), or None if it stays literal."""
    end = pos + 1
    if cur.at(end) == "#":
        end += 1
        value = 0
        if cur.at(end) == "x":
            end += 1
            while cur.at(end) in "0123456789abcdefABCDEF" and cur.at(end) != "\0":
                value = value * 16 + int(cur.at(end), 16)
                end += 1
                if value >= 0x10FFFF:
                    return None
        else:
            while "0" <= cur.at(end) <= "9":
                value = value * 10 + ord(cur.at(end)) - 48
                end += 1
                if value >= 0x10FFFF:
                    return None
        if value == 0 or value >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(value)
    else:
        while cur.at(end).isascii() and cur.at(end).isalpha():
            end += 1
        named = _NAMED_REFERENCES.get(cur.text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if cur.at(end) == ";":
        return char, end + 1, True
    return char, end, False


def _reference_or_fail(cur: _Cursor, pos: int, strict: bool) -> tuple[str, int] | None:
    decoded = _decode_reference(cur, pos)
    if strict and (decoded is None or not decoded[2]):
        raise _cant_parse(f'Unescaped "&" at byte offset {cur.byte_offset(pos)}; use "&amp;"')
    if decoded is None:
        return None
    return decoded[0], decoded[1]


@dataclass(slots=True)
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    out_index: int  # index into the output pieces, to recover an <a>'s text when it has no href


def _tag_argument(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    if tag == "blockquote" and attribute == "expandable":
        return "1"
    return None


def _checked_link(url: str) -> str | None:
    """Telegram keeps a link only when it is a usable URL; otherwise the text stays plain."""
    url = url.strip()
    if not url or any(c in _SPACES for c in url):
        return None
    lowered = url.lower()
    if lowered.startswith(_URL_SCHEMES):
        return url
    if "://" in lowered or lowered.startswith(("javascript:", "mailto:", "data:")):
        return None
    host = lowered.split("/", 1)[0]
    return f"http://{url}" if "." in host else None


def _link_user_id(url: str) -> int | None:
    match = re.fullmatch(r"tg://user\?id=(\d{1,15})", url.strip())
    return int(match.group(1)) if match else None


class _HtmlParser:
    def __init__(self, text: str, strict_ampersand: bool) -> None:
        self.cur = _Cursor(text)
        self.strict = strict_ampersand
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        # Each entity keeps the code language it might hand to an enclosing <pre>.
        self.entities: list[tuple[dict[str, Any], str]] = []

    def _emit(self, piece: str) -> None:
        self.out.append(piece)
        self.utf16 += utf16_len(piece)

    def parse(self) -> ParsedText:
        cur = self.cur
        text, n = cur.text, cur.n
        i = 0
        while i < n:
            match = _SPECIAL.search(text, i)
            if match is None:
                self._emit(text[i:])
                break
            j = match.start()
            if j > i:
                self._emit(text[i:j])
            if text[j] == "&":
                decoded = _reference_or_fail(cur, j, self.strict)
                if decoded is None:
                    self._emit("&")
                    i = j + 1
                else:
                    if 0xD800 <= ord(decoded[0]) <= 0xDFFF:
                        raise _cant_parse(
                            "Text contains invalid Unicode characters after decoding HTML "
                            "entities, check for unmatched surrogate code units"
                        )
                    self._emit(decoded[0])
                    i = decoded[1]
                continue
            i = self._end_tag(j) if cur.at(j + 1) == "/" else self._start_tag(j)
        if self.stack:
            raise _cant_parse(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        entities = [entity for entity, _language in self.entities]
        entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return ParsedText("".join(self.out), entities)

    def _skip_spaces(self, i: int) -> int:
        cur = self.cur
        while i < cur.n and cur.at(i) in _SPACES:
            i += 1
        return i

    def _start_tag(self, begin: int) -> int:
        cur = self.cur
        i = begin + 1
        while cur.at(i) not in _SPACES and cur.at(i) != ">":
            i += 1
        if i >= cur.n:
            raise _cant_parse(f"Unclosed start tag at byte offset {cur.byte_offset(begin)}")
        name = cur.text[begin + 1 : i].lower()
        if name not in SUPPORTED_TAGS:
            raise _cant_parse(
                f'Unsupported start tag "{name}" at byte offset {cur.byte_offset(begin)}'
            )
        argument = ""
        while cur.at(i) != ">":
            i = self._skip_spaces(i)
            if cur.at(i) == ">":
                break
            attr_begin = i
            while cur.at(i) not in _SPACES and cur.at(i) not in "=>/\"'":
                i += 1
            attribute = cur.text[attr_begin:i]
            if not attribute:
                raise _cant_parse(
                    f'Empty attribute name in the tag "{name}" at byte offset '
                    f"{cur.byte_offset(begin)}"
                )
            i = self._skip_spaces(i)
            if cur.at(i) != "=":
                if i >= cur.n:
                    raise _cant_parse(
                        f'Unclosed start tag "{name}" at byte offset {cur.byte_offset(begin)}'
                    )
                if name == "blockquote" and attribute == "expandable":
                    argument = "1"
                continue
            i = self._skip_spaces(i + 1)
            if i >= cur.n:
                raise _cant_parse(
                    f'Unclosed start tag "{name}" at byte offset {cur.byte_offset(begin)}'
                )
            value, i = self._attribute_value(i)
            if i >= cur.n:
                raise _cant_parse(f"Unclosed start tag at byte offset {cur.byte_offset(begin)}")
            found = _tag_argument(name, attribute, value)
            if found is not None:
                argument = found
        if name == "span" and argument != "spoiler":
            raise _cant_parse(
                f'Tag "span" must have class "tg-spoiler" at byte offset {cur.byte_offset(begin)}'
            )
        self.stack.append(_OpenTag(name, argument, self.utf16, len(self.out)))
        return i + 1

    def _attribute_value(self, i: int) -> tuple[str, int]:
        cur = self.cur
        quote = cur.at(i)
        if quote not in "'\"":
            # An unquoted value is an HTML name token, compared case-insensitively.
            token_begin = i
            while (cur.at(i).isascii() and cur.at(i).isalnum()) or cur.at(i) in ".-":
                if cur.at(i) == "\0":
                    break
                i += 1
            if cur.at(i) not in _SPACES and cur.at(i) != ">":
                raise _cant_parse(
                    f"Unexpected end of name token at byte offset {cur.byte_offset(token_begin)}"
                )
            return cur.text[token_begin:i].lower(), i
        i += 1
        pieces: list[str] = []
        while i < cur.n and cur.at(i) != quote:
            if cur.at(i) == "&":
                decoded = _reference_or_fail(cur, i, self.strict)
                if decoded is not None:
                    pieces.append(decoded[0])
                    i = decoded[1]
                    continue
            pieces.append(cur.at(i))
            i += 1
        if i < cur.n:
            i += 1
        return "".join(pieces), i

    def _end_tag(self, begin: int) -> int:
        cur = self.cur
        if not self.stack:
            raise _cant_parse(f"Unexpected end tag at byte offset {cur.byte_offset(begin)}")
        i = begin + 2
        while cur.at(i) not in _SPACES and cur.at(i) != ">":
            i += 1
        end_name = cur.text[begin + 2 : i].lower()
        while i < cur.n and cur.at(i) in _SPACES:
            i += 1
        if cur.at(i) != ">":
            raise _cant_parse(f"Unclosed end tag at byte offset {cur.byte_offset(begin)}")
        top = self.stack[-1]
        if end_name and end_name != top.name:
            raise _cant_parse(
                f"Unmatched end tag at byte offset {cur.byte_offset(begin)}, "
                f'expected "</{top.name}>", found "</{end_name}>"'
            )
        if self.utf16 > top.utf16_offset:
            self._close(top, self.utf16 - top.utf16_offset)
        self.stack.pop()
        return i + 1

    def _close(self, tag: _OpenTag, length: int) -> None:
        offset = tag.utf16_offset
        simple = _SIMPLE_TAG_TYPES.get(tag.name)
        if simple is not None:
            self.entities.append(({"type": simple, "offset": offset, "length": length}, ""))
            return
        previous = self.entities[-1] if self.entities else None
        same_span = (
            previous is not None
            and previous[0]["offset"] == offset
            and previous[0]["length"] == length
        )
        if tag.name == "a":
            url = tag.argument or "".join(self.out[tag.out_index :])
            user_id = _link_user_id(url)
            if user_id is not None:
                user = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
                entity = {"type": "text_mention", "offset": offset, "length": length, "user": user}
                self.entities.append((entity, ""))
            elif (link := _checked_link(url)) is not None:
                entity = {"type": "text_link", "offset": offset, "length": length, "url": link}
                self.entities.append((entity, ""))
        elif tag.name == "tg-emoji":
            if not re.fullmatch(r"[1-9]\d{0,18}", tag.argument):
                raise _cant_parse("Invalid custom emoji identifier specified")
            entity = {
                "type": "custom_emoji",
                "offset": offset,
                "length": length,
                "custom_emoji_id": tag.argument,
            }
            self.entities.append((entity, ""))
        elif tag.name == "pre":
            if previous and same_span and previous[0]["type"] == "code" and previous[1]:
                entity = {
                    "type": "pre",
                    "offset": offset,
                    "length": length,
                    "language": previous[1],
                }
                self.entities[-1] = (entity, "")
            else:
                self.entities.append(({"type": "pre", "offset": offset, "length": length}, ""))
        elif tag.name == "code":
            if (
                previous
                and same_span
                and previous[0]["type"] == "pre"
                and "language" not in previous[0]
                and tag.argument
            ):
                previous[0]["language"] = tag.argument
            else:
                entity = {"type": "code", "offset": offset, "length": length}
                self.entities.append((entity, tag.argument))
        elif tag.name == "blockquote":
            kind = "expandable_blockquote" if tag.argument else "blockquote"
            self.entities.append(({"type": kind, "offset": offset, "length": length}, ""))


def parse_telegram_html(text: str, *, strict_ampersand: bool = True) -> ParsedText:
    """Parse Telegram HTML into plain text and entities, or raise TelegramBadRequest."""
    return _trim(_HtmlParser(text, strict_ampersand).parse())


def validate_telegram_html(text: str, *, strict_ampersand: bool = True) -> int:
    """Validate Telegram HTML; return the plain-text length Telegram counts for its limits.

    Raises TelegramBadRequest (a ValueError) whose message is Telegram's exact description,
    e.g. ``Bad Request: can't parse entities: Unsupported start tag "p" at byte offset 0``.
    Length limits are the caller's (or ``check_message_text``'s) business.
    """
    return parse_telegram_html(text, strict_ampersand=strict_ampersand).length


def _trim(parsed: ParsedText) -> ParsedText:
    """Telegram strips leading/trailing whitespace and shifts or clips entities to match."""
    text = parsed.text
    stripped = text.strip()
    if stripped == text:
        return parsed
    if not stripped:
        return ParsedText("", [])
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    end = lead + utf16_len(stripped)
    entities: list[dict[str, Any]] = []
    for entity in parsed.entities:
        start = max(entity["offset"], lead)
        stop = min(entity["offset"] + entity["length"], end)
        if stop > start:
            entities.append({**entity, "offset": start - lead, "length": stop - start})
    return ParsedText(stripped, entities)


# ---------------------------------------------------------------------------------------------
# Entities Telegram finds by itself in any text (commands, mentions, hashtags, links, e-mails).

_AUTO_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "bot_command",
        re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])"),
    ),
    (
        "email",
        re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"),
    ),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{2,32}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#(?=\w*[^\W\d_])\w{1,256}(?![\w#])")),
    ("url", re.compile(r"(?<![\w@])(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")),
)
_BLOCKING_TYPES = frozenset({"code", "pre", "text_link", "text_mention", "url", "email"})


def detect_entities(
    text: str, existing: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Return ``existing`` plus the entities Telegram detects on its own, sorted by offset.

    Detected entities never overlap code, pre or links, nor each other.
    """
    entities = list(existing or [])
    taken: list[tuple[int, int]] = [
        (e["offset"], e["offset"] + e["length"]) for e in entities if e["type"] in _BLOCKING_TYPES
    ]
    astral = not text.isascii() and _ASTRAL.search(text) is not None
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if astral:
                start = utf16_len(text[:start])
                end = start + utf16_len(match.group())
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            entities.append({"type": kind, "offset": start, "length": end - start})
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return entities


def check_message_text(
    text: str | None,
    parse_mode: str | None = None,
    *,
    limit: int = MAX_MESSAGE_LENGTH,
    strict_ampersand: bool = True,
    entities: list[dict[str, Any]] | None = None,
    empty_description: str = "Bad Request: message text is empty",
    too_long_description: str = "Bad Request: message is too long",
) -> ParsedText:
    """Apply every rule Telegram applies to a message text; return what Telegram would store."""
    if text is None or text == "":
        raise TelegramBadRequest(empty_description)
    mode = (parse_mode or "").strip().lower()
    if mode == "html":
        parsed = parse_telegram_html(text, strict_ampersand=strict_ampersand)
    elif mode in ("", "none"):
        parsed = _trim(ParsedText(text, list(entities or [])))
    elif mode in ("markdown", "markdownv2"):
        # Not parsed (see the module's known gaps): only the text's own limits are checked.
        parsed = _trim(ParsedText(text, []))
    else:
        raise TelegramBadRequest("Bad Request: unsupported parse_mode")
    if not parsed.text:
        raise TelegramBadRequest(empty_description)
    if parsed.length > limit:
        raise TelegramBadRequest(too_long_description)
    return ParsedText(parsed.text, detect_entities(parsed.text, parsed.entities))
