"""ONNX export: opset 17, named input/output, dynamic batch, labels in metadata."""
import hashlib
import io

import onnx
import torch

# The only operators the ScanLens engine (and Grad-CAM on top of it) should meet.
ALLOWED_OPS = {"Conv", "BatchNormalization", "Relu", "MaxPool", "GlobalAveragePool", "Flatten", "Gemm", "Add"}


def export_onnx(model, path, labels, size=128):
    model.eval()
    buf = io.BytesIO()
    torch.onnx.export(
        model,
        torch.zeros(1, 1, size, size),
        buf,
        opset_version=17,
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        do_constant_folding=True,
        training=torch.onnx.TrainingMode.EVAL,
    )
    proto = onnx.load_from_string(buf.getvalue())
    onnx.helper.set_model_props(proto, {"labels": ",".join(labels)})
    onnx.checker.check_model(proto, full_check=True)
    ops = {n.op_type for n in proto.graph.node}
    unexpected = ops - ALLOWED_OPS
    if unexpected:
        raise RuntimeError(f"exported graph uses unexpected ops: {sorted(unexpected)}")
    onnx.save(proto, path)
    return proto


def gradcam_target(proto):
    """Name of the tensor fed to GlobalAveragePool; it must come straight from a Relu."""
    producers = {out: node for node in proto.graph.node for out in node.output}
    gap = [n for n in proto.graph.node if n.op_type == "GlobalAveragePool"]
    if len(gap) != 1:
        raise RuntimeError(f"expected one GlobalAveragePool, found {len(gap)}")
    name = gap[0].input[0]
    if producers[name].op_type != "Relu":
        raise RuntimeError(f"GlobalAveragePool input {name} comes from {producers[name].op_type}, not Relu")
    return name


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def op_summary(proto):
    counts = {}
    for n in proto.graph.node:
        counts[n.op_type] = counts.get(n.op_type, 0) + 1
    return counts
