"""Decision boundaries of networks on 2-feature data: what the network predicts over the plane.

plane.py fixes the grid a run is drawn on (the data's extent with a margin) and the points
drawn over it; frames.py turns the network's class probabilities on that grid into one small
picture per epoch and keeps a run's pictures in bounded memory; complexity.py measures how
long the boundary between the predicted classes is, the number that says "smooth" or
"wiggly"; probe.py computes the probabilities during training (TensorFlow, imported there
only when a run starts).
"""
