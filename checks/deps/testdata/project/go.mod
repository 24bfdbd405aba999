module example.com/shop

go 1.21

require golang.org/x/text v0.3.7
