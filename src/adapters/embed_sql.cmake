# Turns a .sql file into a C++ raw string literal followed by a comma (one array element).
file(READ ${IN} content)
file(WRITE ${OUT} "R\"voxgate_sql(${content})voxgate_sql\",\n")
