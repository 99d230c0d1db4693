"""Code that exists only for speed, each fast form beside the simple one it must equal.

The layers call these; ``tests/kernels/`` checks every fast form against its
simple twin on many shapes, layouts and values. What each gains is printed by
the benchmarks under ``bench/`` (``conv_layers.py``, ``activations.py``,
``train_conv.py``), not written here.

    nan.py          is there a NaN? (one BLAS dot instead of np.isnan); the scan a net skips inside
    blocks.py       elementwise chains on cache-sized blocks, shared by threads, with the NaN scan on the way
    elementwise.py  ReLU, leaky ReLU, ELU on blocks
    smooth.py       sigmoid, tanh, GELU, softplus, SiLU on blocks
    conv.py         the convolution's column layouts, chunked GEMMs and col2im
    pooling.py      max pooling by one pass of ufuncs per window offset
"""
