"""The Qt window: thin views that follow the Lab (regstudio.core.lab) and change it through its methods."""
