"""Writes small test fixtures with libraries independent of ScanLens (PIL, numpy, onnx).

Run with Debian's Python: /usr/bin/python3 scripts/reference/make_test_fixtures.py
The outputs are committed; tests never need Python.
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

ROOT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures')
W, H = 37, 23


def pattern16():
    """The same formula the tests recompute: (i * 2654435761) mod 65536, plus the extremes."""
    values = (np.arange(W * H, dtype=np.uint64) * 2654435761) % 65536
    values[:4] = [0, 65535, 1, 257]
    return values.astype(np.uint16).reshape(H, W)


def write_rasters():
    folder = os.path.join(ROOT, 'raster')
    os.makedirs(folder, exist_ok=True)
    grey = pattern16()
    Image.fromarray(grey, mode='I;16').save(os.path.join(folder, 'grey16.png'))
    Image.fromarray(grey, mode='I;16').save(os.path.join(folder, 'grey16.tif'))
    rgb = np.stack([(grey >> 8).astype(np.uint8), (grey & 0xFF).astype(np.uint8), np.full_like(grey, 7, dtype=np.uint8)], axis=-1)
    Image.fromarray(rgb, mode='RGB').save(os.path.join(folder, 'rgb8.png'))
    # Same PNG bytes under a misleading name: format must come from content.
    Image.fromarray((grey >> 8).astype(np.uint8), mode='L').save(os.path.join(folder, 'grey8-named.jpg'), format='PNG')


def tiny_classifier(name, layout, channels, batch, softmax_out, labels):
    """Global average pool then a fixed linear layer: outputs are easy to compute by hand."""
    rng = np.random.default_rng(7)
    classes = 3
    weight = rng.normal(size=(channels, classes)).astype(np.float32)
    bias = rng.normal(size=(classes,)).astype(np.float32)
    shape = [batch, channels, 8, 8] if layout == 'NCHW' else [batch, 8, 8, channels]
    nodes = []
    x = 'input'
    if layout == 'NHWC':
        nodes.append(helper.make_node('Transpose', ['input'], ['nchw'], perm=[0, 3, 1, 2]))
        x = 'nchw'
    nodes += [
        helper.make_node('GlobalAveragePool', [x], ['pooled']),
        helper.make_node('Flatten', ['pooled'], ['flat']),
        helper.make_node('Gemm', ['flat', 'W', 'B'], ['logits' if not softmax_out else 'z']),
    ]
    if softmax_out:
        nodes.append(helper.make_node('Softmax', ['z'], ['logits'], axis=1))
    graph = helper.make_graph(
        nodes,
        name,
        [helper.make_tensor_value_info('input', TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info('logits', TensorProto.FLOAT, [batch, classes])],
        [numpy_helper.from_array(weight, 'W'), numpy_helper.from_array(bias, 'B')],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)], producer_name='scanlens-fixtures')
    model.ir_version = 8
    if labels:
        entry = model.metadata_props.add()
        entry.key, entry.value = 'labels', ','.join(labels)
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(ROOT, 'models', f'{name}.onnx'))
    return weight, bias


def expected_outputs(weight, bias, softmax_out, pixel_value):
    """A constant image of 8-bit value p becomes p/255 everywhere; pooling keeps it."""
    pooled = np.full((weight.shape[0],), pixel_value / 255.0, dtype=np.float64)
    z = pooled @ weight.astype(np.float64) + bias.astype(np.float64)
    e = np.exp(z - z.max())
    return z.tolist(), (e / e.sum()).tolist()


def write_models():
    os.makedirs(os.path.join(ROOT, 'models'), exist_ok=True)
    refs = {}
    w, b = tiny_classifier('tiny-labels', 'NCHW', 1, 'batch', False, ['cat', 'dog', 'bird'])
    refs['tiny-labels'] = dict(zip(['logits', 'probabilities'], expected_outputs(w, b, False, 200)))
    w, b = tiny_classifier('tiny-fixed-nhwc', 'NHWC', 3, 1, True, None)
    refs['tiny-fixed-nhwc'] = dict(zip(['logits', 'probabilities'], expected_outputs(w, b, True, 200)))
    with open(os.path.join(ROOT, 'models', 'tiny-reference.json'), 'w') as f:
        json.dump({'pixel_value': 200, 'models': refs}, f, indent=2)


def write_resize_reference():
    """PIL's float ('F') resampling: pixel centres aligned, kernel widened when shrinking."""
    rng = np.random.default_rng(11)
    source = rng.random((9, 13), dtype=np.float32)
    filters = {'linear': Image.BILINEAR, 'cubic': Image.BICUBIC, 'lanczos3': Image.LANCZOS}
    cases = []
    for kernel, pil_filter in filters.items():
        for width, height in [(5, 7), (20, 4), (13, 18)]:
            out = np.array(Image.fromarray(source, mode='F').resize((width, height), pil_filter), dtype=np.float64)
            cases.append({'kernel': kernel, 'width': width, 'height': height, 'data': out.ravel().tolist()})
    with open(os.path.join(ROOT, 'resize-reference.json'), 'w') as f:
        json.dump({'source': {'width': 13, 'height': 9, 'data': source.astype(np.float64).ravel().tolist()}, 'cases': cases}, f)


if __name__ == '__main__':
    write_rasters()
    write_models()
    write_resize_reference()
