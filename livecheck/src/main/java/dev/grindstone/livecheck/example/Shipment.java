package dev.grindstone.livecheck.example;

/** What the shipping step reports for an order: {@code SHIPPED}, or {@code LOST} when it fails. */
public record Shipment(String orderId, String status) {}
