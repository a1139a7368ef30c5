"""What each audience's pages show: read-only queries, one module per audience, scoped to the viewer.

``services/`` changes things (one module per concept); ``reads/`` only reads, and records
an audit event where staff or an advocate see a person's record. A view asks one function
here for what its page shows and never queries by itself.
"""
