// Nothing to call: linking this target into the test binary is what it is for (see the .c file).
