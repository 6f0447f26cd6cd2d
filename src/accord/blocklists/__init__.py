"""Administrative blocking lists: an authority's DNS blocking or search-delisting list, checked by an overseer,
guarded against over-blocking, exported in the formats resolvers read and applied by network operators."""
