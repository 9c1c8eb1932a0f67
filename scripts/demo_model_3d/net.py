"""The 3D demo classifier: four Conv3d-BatchNorm-ReLU stages, global average pool, Linear."""
from torch import nn


class Tiny3DCNN(nn.Module):
    def __init__(self, classes=4, widths=(8, 16, 32, 64)):
        super().__init__()
        layers, previous = [], 1
        for i, width in enumerate(widths):
            layers += [nn.Conv3d(previous, width, 3, padding=1, bias=False), nn.BatchNorm3d(width), nn.ReLU()]
            if i < len(widths) - 1:
                layers.append(nn.MaxPool3d(2))
            previous = width
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool3d(1)
        self.classifier = nn.Linear(previous, classes)

    def forward(self, x):
        return self.classifier(self.pool(self.features(x)).flatten(1))
