print("build the plugin products instead")
