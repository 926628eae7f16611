from humstats.cli import main

main()
