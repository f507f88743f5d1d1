print("hlab: not built yet")
