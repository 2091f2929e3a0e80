"""Cart, quick order (resolve a pasted or uploaded list of numbers) and requisition lists."""
