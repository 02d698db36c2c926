# src/config: the XML configuration, its XSD validation, attribution rules.
# (config.h is the shared data model; the parser is added by its owner.)
