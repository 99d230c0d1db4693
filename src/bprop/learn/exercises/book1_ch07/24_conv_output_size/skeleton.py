def conv_output_size(input_size, filter_size, stride=1, pad=0):
    # [en] TODO: (H + 2P - FH) // S + 1.
    # [ja] TODO: (H + 2P - FH) // S + 1 を返す。
    raise NotImplementedError("TODO: conv_output_size")
