"""Help → How to use, Keyboard shortcuts, About."""
