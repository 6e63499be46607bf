"""The command catalogue: names as Telegram registers them, English aliases, what /ayuda says."""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.answer import Language as Lang
from bot.texts import say


@dataclass(frozen=True)
class CommandSpec:
    name: str  # Spanish name, as registered with Telegram ([a-z0-9_], no accents)
    aliases: tuple[str, ...]  # English names
    argument: str | None = None  # key in bot.texts of "<tema>", "[mes|tipo]": shown in /ayuda

    def description(self, lang: Lang) -> str:
        return say(f"cmd_{self.name}", lang)

    @property
    def description_es(self) -> str:
        return self.description("es")

    @property
    def description_en(self) -> str:
        return self.description("en")

    def argument_for(self, lang: Lang) -> str | None:
        return say(self.argument, lang) if self.argument else None

    @property
    def argument_es(self) -> str | None:
        return self.argument_for("es")

    @property
    def argument_en(self) -> str | None:
        return self.argument_for("en")

    def name_for(self, lang: Lang) -> str:
        return self.aliases[0] if lang == "en" and self.aliases else self.name


def _spec(name: str, alias: str | None, argument: str | None = None) -> CommandSpec:
    return CommandSpec(name, (alias,) if alias else (), argument)


COMMANDS: tuple[CommandSpec, ...] = (
    _spec("start", None),
    _spec("ayuda", "help"),
    _spec("cifra", "figure", "arg_topic"),
    _spec("indicadores", "indicators", "arg_indicators"),
    _spec("eventos", "events", "arg_events"),
    _spec("presupuesto", "budget", "arg_budget"),
    _spec("proyectos", "projects"),
    _spec("redes", "networks"),
    _spec("premios", "awards"),
    _spec("donaciones", "donations"),
    _spec("seccion", "section", "arg_section"),
    _spec("resumen", "summary", "arg_topic_opt"),
    _spec("buscar", "search", "arg_text"),
    _spec("fuente", "source"),
    _spec("grafico", "chart", "arg_topic"),
    _spec("csv", None, "arg_table"),
)
# Handled by the front end's own records (the query log, the console session), not by /ayuda.
FORGET = _spec("olvidar", "forget")
_BY_NAME = {name: spec for spec in (*COMMANDS, FORGET) for name in (spec.name, *spec.aliases)}


def command_name(text: str) -> str:
    """ "/Eventos@informe_bot" -> "eventos"."""
    return text.lstrip("/").split("@")[0].lower()


def resolve_command(name: str) -> CommandSpec | None:
    """The spec for a command name or alias ("help" -> ayuda), ignoring case and a leading /."""
    return _BY_NAME.get(command_name(name))


def command_lang(name: str, default: Lang = "es") -> Lang:
    """English when the user typed the English alias; `default` for names shared by both."""
    spec = resolve_command(name)
    if spec is None or not spec.aliases:
        return default
    return "en" if command_name(name) in spec.aliases else "es"
