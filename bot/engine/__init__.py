"""The answer engine: question -> normalize -> match intent and slots -> query -> Answer."""

from bot.engine.answer import Answer, Figure, Source
from bot.engine.context import ConversationContext

__all__ = ["Answer", "ConversationContext", "Figure", "Source"]
