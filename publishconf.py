# Production settings: `jindallae build --publish` reads this file instead of pelicanconf.py.
from pelicanconf import *  # noqa: F401,F403

JINDALLAE_PUBLIC_URL = "https://www.jindallae.example"
