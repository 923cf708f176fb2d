print("billing")
