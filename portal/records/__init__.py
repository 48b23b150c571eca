"""Records: online forms filled on a form revision, their lifecycle, retention and disposal."""
