"""The supervisor dashboard: `figures` reads the rollups, `tables` turns them into the tables the
page shows and exports write, `charts` lays out the SVG charts, `exports` writes CSV and Excel;
`classifier` the figures of automatic dispatch (its own page, /console/classifier/)."""
