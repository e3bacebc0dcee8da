"""Chaos run: the real stack, SIGKILLed at random, must lose nothing and do nothing twice."""
