# Turns a .sql migration into a C++ raw string literal followed by a comma (one array element).
# The files are written for SQLite; for PostgreSQL the two type spellings that differ are
# rewritten: an auto-numbered key, and 64-bit integers (SQLite's INTEGER is already 64-bit).
file(READ ${IN} content)
if(DIALECT STREQUAL "postgres")
  string(REPLACE "INTEGER PRIMARY KEY AUTOINCREMENT" "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" content "${content}")
  string(REPLACE "INTEGER" "BIGINT" content "${content}")
endif()
file(WRITE ${OUT} "R\"voxgate_sql(${content})voxgate_sql\",\n")
