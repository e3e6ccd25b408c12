"""The teaching side of the window: the lesson panel, what happened, the Keras code, the report."""
