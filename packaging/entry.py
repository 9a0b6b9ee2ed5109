"""The frozen app's entry point: exactly what the ``plexlogin`` console script runs."""

from plexlogin.entry import console

if __name__ == "__main__":
    console()
