# relu that zeroes the negatives of its argument in place, changing the caller's array (bug).


def relu(x):
    x[x <= 0] = 0
    return x
