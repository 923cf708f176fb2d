app.listen(4000)
