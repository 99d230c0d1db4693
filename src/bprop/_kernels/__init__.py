"""Code that exists only for speed, each fast form beside the simple one it must equal.

The layers call these; ``tests/kernels/`` checks every fast form against its
simple twin on many shapes, layouts and values. What each gains is printed by
the benchmarks under ``bench/`` (``conv_layers.py``, ``activations.py``,
``train_conv.py``), not written here.

    nan.py          is there a NaN? (one BLAS dot instead of np.isnan); the scan a net skips inside
    elementwise.py  max(x, 0) in x's own memory order
    conv.py         the convolution's column layouts, chunked GEMMs and col2im
    pooling.py      max pooling by one pass of ufuncs per window offset
"""
