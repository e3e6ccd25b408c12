"""The domain of RegStudio, usable without any GUI.

Nothing in this package imports Qt or pyqtgraph, and TensorFlow is imported only inside
the functions that need it, so that `import regstudio.core` is instant and the window can
appear before TensorFlow has loaded.
"""
