"""Bullets as a reader should see them: each said once.

An answer built from several passages can repeat itself: the same bullet twice, an "Incluye:"
line that lists again the items shown just above, or a lead-in sentence that runs into the
first item of the list that follows it ("…GANADO TRES PREMIOS…: Premio Internacional CGLU…",
then "• Premio Internacional CGLU…"). `tidy` removes the repetition, never a fact.
"""

from __future__ import annotations

import re

from knowledge.text import fold

BULLET = "• "
_INCLUDES = re.compile(r"^(?P<head>(?:Incluye|Includes)\s*:\s*)(?P<items>.+)$")


def tidy(text: str) -> str:
    lines = text.split("\n")
    bullets = [fold(line[len(BULLET) :].rstrip("…")) for line in lines if line.startswith(BULLET)]
    out: list[str] = []
    seen: set[str] = set()
    for index, line in enumerate(lines):
        if not line.startswith(BULLET):
            out.append(line)
            continue
        body = line[len(BULLET) :]
        key = fold(body.rstrip("…"))
        if key in seen:
            continue  # the same bullet again
        seen.add(key)
        included = _INCLUDES.match(body)
        if included:
            items = [i.strip() for i in included.group("items").split(";") if i.strip()]
            new = [i for i in items if not _shown(fold(i.rstrip("…")), bullets, key)]
            if not new:
                continue  # every item is already a bullet
            body = included.group("head") + "; ".join(new)
        following = next((n for n in lines[index + 1 :] if n.startswith(BULLET)), None)
        if following is not None:
            next_key = fold(following[len(BULLET) :])
            for match in re.finditer(": ", body):
                tail_key = fold(body[match.end() :].rstrip("…"))
                if tail_key and next_key.startswith(tail_key):
                    body = body[: match.start() + 1]  # the list it introduces follows
                    break
        out.append(BULLET + body)
    return "\n".join(out)


def _shown(item: str, bullets: list[str], own: str) -> bool:
    return bool(item) and any(item in b for b in bullets if b != own)
