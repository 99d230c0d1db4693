# step_function with a Python if, which works for one number but not for an array (bug).
def step_function(x):
    if x > 0:
        return 1
    return 0
