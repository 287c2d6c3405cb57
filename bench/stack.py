"""stub"""
NAME="stack"
