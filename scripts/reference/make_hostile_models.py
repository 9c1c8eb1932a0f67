"""Writes small hostile ONNX models for the model-vetting tests (src/core/model/vetModel.ts).

Run with Debian's Python: /usr/bin/python3 scripts/reference/make_hostile_models.py
The outputs (test/fixtures/hostile/) are committed; tests never need Python.
Each model is a valid protobuf that onnxruntime might load or might trip over;
ScanLens must refuse it before onnxruntime sees it, with a one-line reason.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'hostile')
OPSET = [helper.make_opsetid('', 17)]


def pool_linear(weight, extra_nodes=(), extra_inits=(), input_dims=(1, 1, 8, 8), opset=OPSET, functions=()):
    """Input -> GlobalAveragePool -> Flatten -> MatMul(weight): the shape of tiny classifiers."""
    nodes = [
        helper.make_node('GlobalAveragePool', ['input'], ['pooled']),
        helper.make_node('Flatten', ['pooled'], ['flat']),
        helper.make_node('MatMul', ['flat', 'weight'], ['logits']),
        *extra_nodes,
    ]
    graph = helper.make_graph(
        nodes, 'hostile',
        [helper.make_tensor_value_info('input', TensorProto.FLOAT, list(input_dims))],
        [helper.make_tensor_value_info('logits', TensorProto.FLOAT, [1, 2])],
        [weight, *extra_inits])
    return helper.make_model(graph, opset_imports=list(opset), functions=list(functions), producer_name='make_hostile_models')


def weight():
    return numpy_helper.from_array(np.array([[1.0, -1.0]], dtype=np.float32), 'weight')


def external_weight(location):
    """The weight tensor, its bytes said to live in another file."""
    tensor = weight()
    tensor.ClearField('raw_data')
    tensor.data_location = TensorProto.EXTERNAL
    for key, value in (('location', location), ('offset', '0'), ('length', '8')):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    return tensor


def declared(name, dims):
    """A float tensor that declares dims but carries no data (make_tensor would refuse to build it)."""
    tensor = TensorProto()
    tensor.name, tensor.data_type = name, TensorProto.FLOAT
    tensor.dims.extend(dims)
    return tensor


def save(model, *parts):
    path = os.path.join(OUT, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(model.SerializeToString())


def main():
    # A well-formed control: the same graph with nothing hostile in it.
    save(pool_linear(weight()), 'benign.onnx')
    # External data reaching out of the model's folder.
    save(pool_linear(external_weight('/etc/passwd')), 'external-absolute.onnx')
    save(pool_linear(external_weight('../../secret.bin')), 'external-parent.onnx')
    # External data inside the folder: the bytes exist, but the manifest's sha256 would not cover them.
    inside = os.path.join(OUT, 'external-inside')
    os.makedirs(inside, exist_ok=True)
    with open(os.path.join(inside, 'weights.bin'), 'wb') as f:
        f.write(np.array([[1.0, -1.0]], dtype=np.float32).tobytes())
    save(pool_linear(external_weight('weights.bin')), 'external-inside', 'model.onnx')
    # A custom-op domain, at the top level and hidden in an If branch.
    custom = helper.make_node('Backdoor', ['logits'], ['owned'], domain='com.evil')
    save(pool_linear(weight(), extra_nodes=[custom], opset=OPSET + [helper.make_opsetid('com.evil', 1)]), 'custom-domain.onnx')
    branch_out = helper.make_tensor_value_info('branch', TensorProto.FLOAT, [1, 2])
    then_graph = helper.make_graph([helper.make_node('Backdoor', ['logits'], ['branch'], domain='com.evil')], 'then', [], [branch_out])
    else_graph = helper.make_graph([helper.make_node('Identity', ['logits'], ['branch'])], 'else', [], [branch_out])
    cond = numpy_helper.from_array(np.array(True), 'cond')
    nested = helper.make_node('If', ['cond'], ['chosen'], then_branch=then_graph, else_branch=else_graph)
    save(pool_linear(weight(), extra_nodes=[nested], extra_inits=[cond], opset=OPSET + [helper.make_opsetid('com.evil', 1)]), 'custom-domain-nested.onnx')
    # A model-local function under its own domain is plain ONNX inside the file, not a custom op.
    scale = helper.make_function('local.fn', 'Twice', ['x'], ['y'], [helper.make_node('Add', ['x', 'x'], ['y'])], OPSET)
    call = helper.make_node('Twice', ['logits'], ['doubled'], domain='local.fn')
    save(pool_linear(weight(), extra_nodes=[call], opset=OPSET + [helper.make_opsetid('local.fn', 1)], functions=[scale]), 'local-function.onnx')
    # Sizes: an initializer declaring 2^40 elements, and an input declaring a 10^6 x 10^6 image.
    huge = declared('huge', [1 << 20, 1 << 20])
    save(pool_linear(weight(), extra_inits=[huge]), 'huge-initializer.onnx')
    save(pool_linear(weight(), input_dims=(1, 1, 1000000, 1000000)), 'huge-input.onnx')
    negative = declared('negative', [-4, 2])
    save(pool_linear(weight(), extra_inits=[negative]), 'negative-dim.onnx')


if __name__ == '__main__':
    main()
