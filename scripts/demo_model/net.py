"""A small plain CNN: conv/BN/ReLU blocks, max-pooling, global average pooling, one linear layer.

Chosen so the exported graph uses only Conv, Relu, MaxPool, GlobalAveragePool,
Flatten and Gemm (BatchNorm is folded into Conv at export), and so the last
spatial feature map (16x16, right before GlobalAveragePool) is the output of a
plain conv -> ReLU: that is the layer Grad-CAM targets.
"""
import torch
from torch import nn


def conv_block(cin, cout, stride=1):
    return [nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class DemoNet(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.features = nn.Sequential(
            *conv_block(1, 16, stride=2),  # 128 -> 64
            *conv_block(16, 32),
            nn.MaxPool2d(2),  # 64 -> 32
            *conv_block(32, 48),
            *conv_block(48, 48),
            nn.MaxPool2d(2),  # 32 -> 16
            *conv_block(48, 96),
            *conv_block(96, 128),  # last spatial map: the Grad-CAM target
        )
        self.pool = nn.AdaptiveAvgPool2d(1)  # exports as GlobalAveragePool
        self.flatten = nn.Flatten()
        self.classifier = nn.Linear(128, n_classes)

    def forward(self, x):
        return self.classifier(self.flatten(self.pool(self.features(x))))


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())


def normalise(images_uint8, mean, std):
    """The preprocessing contract: p/255, then (x - mean)/std. Input (N,H,W) uint8 tensor."""
    x = images_uint8.to(torch.float32).unsqueeze(1) / 255.0
    return (x - mean) / std
