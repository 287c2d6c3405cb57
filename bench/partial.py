"""stub"""
NAME="partial"
