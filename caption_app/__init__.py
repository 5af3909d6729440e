"""Caption App: live captions for meetings."""

__version__ = "0.1.0"
APP_NAME = "Caption App"
APP_ID = "caption-app"
