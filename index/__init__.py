"""Documents -> Whoosh index generations -> SearchResults.

Whoosh objects never leave this package: callers use ``index.models``.
"""
