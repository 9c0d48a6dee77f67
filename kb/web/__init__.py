"""Flask-side helpers shared by the blueprints: sign-in, forms and CSRF, rate limits."""
