"""public: see the README's "What is inside" table."""
