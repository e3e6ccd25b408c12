"""The Qt window: thin views over regstudio.core objects (built in issue 3)."""
