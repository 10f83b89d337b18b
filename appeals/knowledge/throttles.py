"""The search's own allowance: suggestions follow typing, so a resident makes many lookups."""
from config.throttling import ClientRateThrottle


class KnowledgeSearchThrottle(ClientRateThrottle):
    """Knowledge searches per address (signed-in staff count on their user allowance instead)."""

    scope = "knowledge_search"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_key_for(self.get_ident(request))
