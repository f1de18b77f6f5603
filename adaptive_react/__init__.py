"""adaptive-react: a LangGraph loop that understands, validates, learns and remembers."""

from .agent import create_adaptive_agent
from .state import Context

__all__ = ["Context", "create_adaptive_agent"]
